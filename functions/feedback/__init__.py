"""People's corrections of predictions: the records, and where they are kept (DynamoDB on AWS, SQLite
locally). The API writes them (POST /v1/feedback); `python -m training.feedback export` reads them."""
