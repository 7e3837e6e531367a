#!/usr/bin/env bash
# Regenerates Sources/CmdopProtocol/*.pb.swift and *.grpc.swift from proto/.
# Needs protoc (Debian: protobuf-compiler); builds the two Swift plugins from the package's own
# dependencies, so the generator always matches the runtime library versions.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc is missing: apt-get install -y protobuf-compiler" >&2; exit 1; }
swift build --product protoc-gen-swift >/dev/null
swift build --product protoc-gen-grpc-swift-2 >/dev/null
bin=$(swift build --show-bin-path)
out=Sources/CmdopProtocol
rm -f "$out"/*.pb.swift "$out"/*.grpc.swift
protoc --proto_path=proto \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
  --swift_opt=Visibility=Public --swift_out="$out" \
  --grpc-swift_opt=Visibility=Public,Client=true,Server=true --grpc-swift_out="$out" \
  proto/cmdop/agent/v1/*.proto
# protoc writes into sub-folders named after the proto path; flatten them.
find "$out/cmdop" -name '*.swift' -exec mv {} "$out"/ \;
rm -rf "$out/cmdop"
echo "generated: $(ls "$out"/*.swift | wc -l) files in $out"
