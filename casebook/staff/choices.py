"""Choices of the officer file, the pledge and training (articles 五 and 八), with translated
labels, and the duties of each post as the regulation describes them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Post(models.TextChoices):
    """The posts of a station's tracking work (五: 跟踪人员职责)."""

    STATION_LEADER = "station_leader", _("Station leader")
    LEADER_IN_CHARGE = "leader_in_charge", _("Leader in charge of tracking work")
    TRACKING_OFFICER = "tracking_officer", _("Tracking officer")
    COMMUNITY_OFFICER = "community_officer", _("Community officer")
    AUXILIARY = "auxiliary", _("Auxiliary staff")


#: The duties of each post, from articles 四 and 五 of the regulation (五(二) 1–4 bind every
#: officer; what each post adds follows from who assigns, collects, analyses and reports in 四).
COMMON_DUTIES = [
    _("Carry out tracking work strictly by the prescribed procedure (五(二)1)."),
    _("Keep the secrets of tracking work and disclose nothing (五(二)2)."),
    _("Cooperate with other departments in tracking work (五(二)3)."),
    _("Summarise one's own tracking work regularly (五(二)4)."),
]
POST_DUTIES = {
    Post.STATION_LEADER: [
        _("Leads the station's tracking work and is responsible for it as a whole."),
        _("Assigns tracking tasks and approves subjects, assessments and measures (四(一))."),
        _("Receives feedback and urgent reports and gives instructions (四(五))."),
        _("Organises training and checks the officers' records and summaries (八(一), 六(二))."),
    ],
    Post.LEADER_IN_CHARGE: [
        _("Directs the tracking work day to day on the station leader's behalf."),
        _("Distributes tasks, follows their deadlines and checks the tracking records (四(六))."),
        _("Reviews analysis results before they are fed back (四(四), 四(五))."),
        _("Reports major problems and emergencies to the station leader at once."),
    ],
    Post.TRACKING_OFFICER: [
        _("Collects information on the assigned subjects by the prescribed methods (四(二))."),
        _("Organises and verifies the information: keeps the true, discards the false (四(三))."),
        _("Analyses the information, assesses risk and proposes measures (四(四))."),
        _("Feeds results back in time and reports emergencies at once (四(五))."),
        _("Keeps complete tracking records (四(六))."),
    ],
    Post.COMMUNITY_OFFICER: [
        _("Visits the subjects and places of the community area (三(一))."),
        _("Passes on what the community reports and the public's tips (三(二))."),
        _("Collects information on the subjects assigned to the area (四(二))."),
        _("Supports the tracking officers with knowledge of the community."),
    ],
    Post.AUXILIARY: [
        _("Assists police officers in visits and collection under their direction."),
        _("Records what is observed; takes no decision and no enforcement measure."),
        _("Sees only what the assigned work needs and keeps it secret."),
    ],
}


class ConductKind(models.TextChoices):
    """Commendations and discipline (六(三), 六(四))."""

    COMMENDATION = "commendation", _("Commendation")
    AWARD = "award", _("Award")
    ADMONITION = "admonition", _("Admonition")
    WARNING = "warning", _("Warning")
    DEMERIT = "demerit", _("Demerit")
    REMOVAL = "removal", _("Removal from post")


DISCIPLINE = frozenset(
    {ConductKind.ADMONITION, ConductKind.WARNING, ConductKind.DEMERIT, ConductKind.REMOVAL}
)


class CourseCategory(models.TextChoices):
    """The contents of training (八(一)), and information security (七)."""

    LAW = "law", _("Law and regulations")
    METHODS = "methods", _("Tracking methods")
    ANALYSIS = "analysis", _("Analysis skills")
    SECURITY = "security", _("Information security")


class QuotaUnit(models.TextChoices):
    HOURS = "hours", pgettext_lazy("training quota", "Hours")
    SESSIONS = "sessions", pgettext_lazy("training quota", "Sessions")
