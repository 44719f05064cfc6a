"""MLE Coach: the Machine Learning Engineering in Action process, living in Slack."""

__version__ = "0.1.0"
