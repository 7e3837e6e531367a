"""Runs llama.cpp's HTTP server in-process through xllamacpp (started by llama-server.sh).

Arguments: MODEL_PATH TEMPLATE_PATH PORT URL_FILE. Binds 127.0.0.1 only, uses one thread, enables jinja with our
ChatML template (which renders tools), writes the base URL to URL_FILE once listening, then waits for SIGTERM.
"""
import os
import signal
import sys

import xllamacpp


def main() -> None:
    model_path, template_path, port, url_file = sys.argv[1:5]
    params = xllamacpp.CommonParams()
    params.model.path = model_path
    params.model_alias = {"SmolLM2-135M-Instruct"}
    params.cpuparams.n_threads = 1
    params.cpuparams_batch.n_threads = 1
    params.n_ctx = 4096
    params.n_parallel = 1
    params.hostnames = ["127.0.0.1"]
    params.port = int(port)
    params.use_jinja = True
    with open(template_path, encoding="utf-8") as handle:
        params.chat_template = handle.read()
    server = xllamacpp.Server(params)
    address = server.listening_address
    with open(url_file + ".tmp", "w", encoding="utf-8") as handle:
        handle.write(address)
    os.replace(url_file + ".tmp", url_file)
    print(f"llama.cpp server listening on {address}", flush=True)
    # The server's native threads keep a normal interpreter exit waiting forever: leave at once instead.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
