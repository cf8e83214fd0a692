"""The job's stages: functions of explicit inputs that return typed results.

They sit between the leaf modules below (config, data, model, train, ...) and `training.job`
above, which knows where artifacts live and runs the stages in order. A stage module imports
leaf modules only: never another stage, never the job.
"""
