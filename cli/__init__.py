"""The herosim command line: parses arguments, calls sim/, prints with rich."""
