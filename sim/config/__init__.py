"""Config layer: dataclass schemas for Hydra's ConfigStore and the semantic validation pass.

Knows nothing of SimPy, files or the model.
"""
from sim.config.schema import Config, register_configs
from sim.config.validate import ConfigError, validate

__all__ = ["Config", "ConfigError", "register_configs", "validate"]
