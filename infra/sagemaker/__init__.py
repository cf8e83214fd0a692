"""Run the training job (`training.job`) as a SageMaker training job: launcher and container entry point."""
