"""The notebook harness behind the ``paperlab`` command: discover, run, report, student copies, README.

Heavy imports (papermill, nbconvert, nbformat) happen inside functions so ``import paperlab`` stays light.
"""
