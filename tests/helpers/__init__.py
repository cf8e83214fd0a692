"""Set-up shared by several test folders: local servers, ports, processes."""
