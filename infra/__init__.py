"""What deploys and operates around the stack: the SageMaker training launcher and its container."""
