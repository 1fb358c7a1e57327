"""Speed benchmarks: each compares dulun's way against a naive baseline measured in the same run."""
