# src/onnx/local.mk — the ONNX importer (owner: onnx).
