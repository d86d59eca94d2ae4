"""All tables of the fund, for Alembic and the tests: import every module that defines models."""

from caisse.batches import models as batch_models  # noqa: F401  (the fund's calendar)
from caisse.benefits import models as benefit_models  # noqa: F401  (benefit claims)
from caisse.cases import models as case_models  # noqa: F401  (cases, inbox, notifications)
from caisse.collection import models as collection_models  # noqa: F401  (money in and out)
from caisse.ledger import models as ledger_models  # noqa: F401  (ledger)
from caisse.recovery import models as recovery_models  # noqa: F401  (recovery files, payment plans)
from caisse.reporting import models as reporting_models  # noqa: F401  (tax certificates)
from caisse.store import models  # noqa: F401  (platform and affiliation)
from caisse.store.models import Base

metadata = Base.metadata
