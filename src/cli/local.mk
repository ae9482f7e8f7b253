# src/cli/local.mk — the mote command-line tool (owner: cli).
