# lit configuration for snow-precompile's golden tests: each test runs the tool
# on its own source and checks the output or the diagnostics with FileCheck,
# expectations written next to the lines that cause them.
import os
import lit.formats

config.name = "snow-precompile"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".c"]
config.test_source_root = os.path.dirname(__file__)
config.excludes = ["lit.cfg.py", "Output"]
# Scratch files go to the build tree, never next to the sources.
config.test_exec_root = lit_config.params.get("exec_root", config.test_source_root)
config.substitutions.append(("%snow-precompile", lit_config.params["snow_precompile"]))
config.substitutions.append(("%FileCheck", lit_config.params["filecheck"]))
config.substitutions.append(("%not", lit_config.params["not"]))
