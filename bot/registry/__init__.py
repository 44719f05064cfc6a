"""The MLflow Model Registry: deployed models found there."""
