# The notebook suite inside the image that binder/Dockerfile built (`podman run` fails on the
# machines this is built on, on setrlimit; a build step runs): every course notebook through the
# image's own kernel, template and data. Kept out of binder/Dockerfile so that Binder and a hub
# build only the image.
#
#   podman build -f binder/check.Dockerfile -t torchbook-check .
FROM localhost/torchbook:latest
WORKDIR /opt/torchbook/src
# The standby kernels the tests leave are stopped before the step ends (as test.sh does).
RUN .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_notebooks.py >/opt/torchbook/check.log 2>&1; \
    status=$?; cat /opt/torchbook/check.log; \
    TORCHBOOK_STORE=$(.venv/bin/python -c 'import json; print(json.load(open(".venv/share/jupyter/kernels/torchbook/kernel.json"))["env"]["TORCHBOOK_STORE"])') \
      TORCHBOOK_PRELUDE=/opt/torchbook/src/prelude .venv/bin/torchbook-kernel standby --stop; \
    exit $status
