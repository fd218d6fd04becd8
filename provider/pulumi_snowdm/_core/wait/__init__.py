"""The wait engine, free of Pulumi: policy (time), listing (observations), acceptors and threshold (judges), loop."""
