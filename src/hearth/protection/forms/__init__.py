"""See the modules beside this one."""
