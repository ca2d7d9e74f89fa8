"""`make bench`: benchmarks reported as ratios to a reference measured in the same run (DESIGN §7)."""
