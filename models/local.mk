# models/local.mk — bundled models and model families.
