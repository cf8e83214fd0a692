"""CodeDeploy pre-traffic hook: a new API version answers the events/api samples correctly, or the
deployment fails before any client reaches it."""
