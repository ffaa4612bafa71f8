"""signalboost: investigate disinformation campaigns on social media."""

from .case import Case, CaseError
from .ingest import IngestReport, ingest

__version__ = "0.1.0"
__all__ = ["Case", "CaseError", "IngestReport", "ingest", "__version__"]
