"""Bulk jobs, shared by both functions: the API submits them and reports on them, the bulk function
processes their chunks. The chunk contract, the settings, the AWS wiring, the job and result stores,
submission and the check of submitted items live here, once."""
