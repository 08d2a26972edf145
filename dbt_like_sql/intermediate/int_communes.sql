/* ---
description: >
  The communes of the target COG with their département, region, EPCI, population, and the
  territoires d'industrie they belong to (target COG; a commune can belong to several).
columns:
  code_commune: Commune code (target COG)
  libelle_commune: Name
  code_departement: Département
  code_region: Region
  siren_epci: SIREN of the EPCI (ZZZZZZZZZ when none)
  population_reference: Municipal population (découpage administratif), used for weights and to choose a territory's region
  nb_ti: Number of territories the commune belongs to
  est_ti: Belongs to at least one territory
tests:
  - unique: [code_commune]
  - not_null: [code_commune, code_region]
--- */
with membres as (
    select code_commune, count(distinct id_ti) as nb_ti
    from int_ti_communes
    group by all
)
select
    c.code_commune,
    c.libelle_commune,
    c.code_departement,
    c.code_region,
    e.siren_epci,
    e.libelle_epci,
    coalesce(s.population, 0) as population_reference,
    coalesce(m.nb_ti, 0) as nb_ti,
    coalesce(m.nb_ti, 0) > 0 as est_ti,
    c.annee_cog
from stg_cog_communes c
left join stg_epci_communes e on e.code_commune = c.code_commune
left join stg_communes_siren s on s.code_commune = c.code_commune and s.type_commune = 'commune-actuelle'
left join membres m on m.code_commune = c.code_commune
where c.type_commune = 'COM'
