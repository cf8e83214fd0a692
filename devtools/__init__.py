"""Developer tools, outside the Lambda image: the bulk path on one machine (``make bulk-demo``)."""
