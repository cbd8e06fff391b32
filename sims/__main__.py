"""`python -m sims`: serve the four national-system stand-ins until Ctrl-C."""

import argparse
import os
import sys

from sims.server import DEFAULT_HOST, DEFAULT_PORT, Config, make_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sims",
        description="Mô phỏng DVCQG, CSDLDC, hộ tịch và thuế cho MotCua (chỉ dùng để thử nghiệm).",
    )
    parser.add_argument("--host", default=os.environ.get("SIMS_HOST") or DEFAULT_HOST)
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("SIMS_PORT") or DEFAULT_PORT)
    )
    parser.add_argument("--quiet", action="store_true", help="no line per request on stderr")
    args = parser.parse_args(argv)
    try:
        config = Config.from_env()
    except ValueError as exc:
        parser.error(str(exc))
    server = make_server(args.host, args.port, args.quiet, config)
    # Tests and scripts read this line to learn the port when started with --port 0.
    print(f"sims listening on {server.base_url}", file=sys.stderr, flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass  # Ctrl+C is how the demo stops the simulators: close quietly
    finally:
        server.httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
