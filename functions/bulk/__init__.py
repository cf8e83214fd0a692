"""Bulk path: chunk messages on SQS, classified by the bulk Lambda, results in S3, status in DynamoDB."""
