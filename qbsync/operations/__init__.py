"""Running qbsync for real: backups and restore, safe schema upgrades, metrics and structured logs.

Plain modules without NiceGUI: the CLI, the scheduler's daily backup job and the boot sequence call them.
"""
