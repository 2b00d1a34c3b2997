# Executes a notebook with Debian's nbclient 0.7 and the tsjit kernelspec, as `jupyter nbconvert
# --execute` and papermill do, and prints the executed notebook (JSON) on stdout.
#
# Usage: /usr/bin/python3 nbclient_run.py NOTEBOOK   (JUPYTER_PATH must hold the kernelspec)

import json
import sys

import nbformat
from nbclient import NotebookClient

notebook = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(notebook, timeout=90, kernel_name="tsjit", resources={"metadata": {"path": "."}}).execute()
json.dump(notebook, sys.stdout)  # not nbformat.write: it splits multi-line strings into lists
