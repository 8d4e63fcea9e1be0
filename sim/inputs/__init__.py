"""Files in: the scenario and plan loader, incident history (PagerDuty, CSV), game-day
observations, and the synthetic organisation generator. Every bad input is an `InputError`.
"""
