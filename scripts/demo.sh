#!/bin/sh
# make demo: for now, peekl validating the example configuration.
set -eu
./peekl -c examples/config.yaml validate
