/* ---
description: >
  Filosofi by commune of the target COG, as counts that add up (DESIGN.md decision 5): persons in
  tax households, poor persons (poverty rate x persons, where Insee publishes the rate) and the
  persons they are counted among, and the persons-weighted sum of medians (where the median is
  published). Merged communes are summed, split ones shared by population (int_passage_communes).
  A commune whose rate is withheld (statistical secrecy: fewer than 1,000 tax households) counts in
  personnes but not in personnes_taux_publie: the territory's rate is then computed over the
  communes that have one, and its coverage says how many of its persons they hold.
columns:
  millesime: Filosofi vintage (income year)
  code_commune: Commune (target COG)
  personnes: Persons in tax households (all communes of the file)
  personnes_taux_publie: Persons of the communes whose poverty rate is published
  pauvres: Poor persons (poverty rate x persons), over the communes whose rate is published
  personnes_mediane_publiee: Persons of the communes whose median is published
  somme_medianes_ponderees: Sum of median x persons over those communes (for the approximate median)
  taux_secret: A part of the commune (before the move to the target COG) has its poverty rate withheld
tests:
  - unique: [millesime, code_commune]
  - not_null: [millesime, code_commune, taux_secret]
--- */
with cible as (
    select
        f.millesime,
        coalesce(p.code_commune, f.code_geo) as code_commune,
        coalesce(p.poids, 1.0) as poids,
        f.nb_personnes,
        f.mediane_niveau_vie,
        f.taux_pauvrete
    from stg_filosofi f
    left join int_passage_communes p
        on p.annee_cog = least(f.annee_cog, getvariable('target_cog_year')) and p.code_source = f.code_geo
)
select
    millesime,
    code_commune,
    sum(nb_personnes * poids) as personnes,
    coalesce(sum(nb_personnes * poids) filter (where taux_pauvrete is not null), 0) as personnes_taux_publie,
    coalesce(sum(taux_pauvrete * nb_personnes * poids) filter (where taux_pauvrete is not null), 0) as pauvres,
    coalesce(sum(nb_personnes * poids) filter (where mediane_niveau_vie is not null), 0) as personnes_mediane_publiee,
    coalesce(sum(mediane_niveau_vie * nb_personnes * poids) filter (where mediane_niveau_vie is not null), 0) as somme_medianes_ponderees,
    bool_or(taux_pauvrete is null) as taux_secret
from cible
group by all
