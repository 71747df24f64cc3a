"""The provider layer: the contract (base, types, errors), the registry, one package per
provider and the shared kit. Adapters import no app."""
