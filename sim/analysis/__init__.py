"""What the commands compute from a scenario: replications, metrics, the what-if run, the
independence check, plan comparison, advice, game-day scoring, calibration and the hero map.
Each analysis returns a typed document (`sim.analysis.types`, and each package's own).
"""
