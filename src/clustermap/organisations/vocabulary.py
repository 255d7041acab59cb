"""Controlled vocabularies of the registry: the values a field may take, each with a label for people.

The programme vocabularies follow the European Cluster Observatory's survey of cluster programmes as the
reference document reports it (SEC(2008) 2637, section 3.1): policy focus (industry & enterprise, science &
technology, regional development), target groups (businesses, research, education, public authorities), support
type (finance, knowledge / network, both), life-cycle focus (embryonic, emerging …), SME focus and the sources of
funding (national budgets, EU Cohesion Policy …).
"""

from __future__ import annotations

from types import MappingProxyType

ROLES = MappingProxyType(
    {
        "visitor": "Visitor (reads, keeps notifications)",
        "member": "Member (SME, research or other member: own member profiles, matchmaking, interests)",
        "manager": "Organisation manager (own cluster organisations, case studies, self-assessments)",
        "admin": "Administrator (everything, users, imports)",
    }
)

PROGRAMME_LEVELS = MappingProxyType(
    {"national": "National programme", "regional": "Regional programme", "european": "European (Community) initiative"}
)
POLICY_FOCUS = MappingProxyType(
    {
        "industry-enterprise": "Industry and enterprise policy",
        "science-technology": "Science and technology policy",
        "regional-development": "Regional development policy",
    }
)
TARGET_GROUPS = MappingProxyType(
    {
        "businesses": "Private businesses",
        "smes": "Small and medium-sized enterprises",
        "research-institutions": "Research and development institutions",
        "educational-institutions": "Educational institutions",
        "public-authorities": "Public authorities",
        "cluster-organisations": "Cluster organisations and their managers",
    }
)
SUPPORT_TYPES = MappingProxyType(
    {
        "finance": "Finance only",
        "knowledge-network": "Knowledge / network only",
        "both": "Finance and knowledge / network",
    }
)
LIFECYCLE = MappingProxyType(
    {
        "embryonic": "Embryonic",
        "emerging": "Emerging",
        "growth": "Growing",
        "mature": "Mature",
        "declining": "Declining",
    }
)
FUNDING_SOURCES = MappingProxyType(
    {
        "national-budget": "National budget",
        "regional-budget": "Regional budget",
        "eu-cohesion-policy": "EU Cohesion Policy (Structural Funds: ERDF, ESF)",
        "eu-research": "EU research programmes (Framework Programme, Regions of Knowledge)",
        "eu-cip": "EU Competitiveness and Innovation Programme (Europe INNOVA, PRO INNO Europe)",
        "eu-rural": "European Agricultural Fund for Rural Development",
        "private": "Private sector (firms, banks, membership fees)",
    }
)
ORGANISATION_KINDS = MappingProxyType(
    {
        "cluster-organisation": "Cluster organisation (legal entity managing a cluster)",
        "cluster-initiative": "Cluster initiative",
        "network": "Network of clusters or cluster organisations",
        "innovation-centre": "Innovation or business support centre",
    }
)
MEMBER_KINDS = MappingProxyType(
    {
        "sme": "Small or medium-sized enterprise",
        "large-company": "Large company",
        "research-institution": "Research institution",
        "university": "University or higher education",
        "public-authority": "Public authority or agency",
        "investor": "Investor or bank",
        "other": "Other",
    }
)
#: Offers and needs of members, services and wishes of organisations — the activities of cluster organisations
#: listed in section 4.1 of the reference document and the wishes of cluster firms of section 3.1 (Figure 11).
EXCHANGE_TAGS = MappingProxyType(
    {
        "rd-partner": "R&D partnership",
        "technology-transfer": "Technology transfer",
        "testing-facilities": "Testing and laboratory facilities",
        "prototyping": "Prototyping and pilot production",
        "suppliers": "Supplier of components or materials",
        "subcontracting": "Subcontracting and production capacity",
        "distribution": "Distribution and sales partner",
        "market-access": "Access to foreign markets",
        "internationalisation": "Internationalisation support",
        "finance": "Finance and investment",
        "training": "Training and skills",
        "ipr-advice": "Intellectual property advice",
        "joint-purchasing": "Joint purchasing",
        "logistics": "Logistics",
        "marketing": "Joint marketing and branding",
        "software": "Software and ICT services",
        "design": "Design and engineering",
        "certification": "Certification and standards",
        "information": "Market and technology intelligence",
        "matchmaking": "Partner search and matchmaking",
        "incubation": "Incubation and start-up support",
    }
)

#: the facets search offers, with a label each (``type`` = kind of record)
FACETS = MappingProxyType(
    {
        "type": "Kind of record",
        "country": "Country",
        "region": "Region",
        "category": "Cluster category",
        "programme_type": "Programme type",
        "support_type": "Support type",
        "target_group": "Target group",
        "policy_focus": "Policy focus",
        "member_kind": "Kind of member",
    }
)

ENTITY_TYPES = MappingProxyType(
    {
        "organisation": "Cluster organisation / initiative",
        "programme": "Programme or policy",
        "case_study": "Case study",
        "member": "Member",
    }
)


def label(vocabulary: MappingProxyType, value: str) -> str:
    """The label of ``value`` in ``vocabulary``, or the value itself when it has none."""
    return vocabulary.get(value, value)
