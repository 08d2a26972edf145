/* ---
materialized: mart
description: >
  The groupements of each territory as the ANCT list gives them (EPCI, EPT, or a single commune,
  nature COM, whose siren_groupement is the commune's SIREN, resolved to its INSEE code here),
  with the member communes found for each (mart_ti_composition) and their population. The
  territory's nb_epci indicator counts these rows; the programme counts about 630 of them.
columns:
  id_ti: Territory id
  lib_ti: Territory name
  siren_groupement: SIREN of the groupement (of the commune for COM)
  lib_groupement: Groupement name
  nature_juridique: CC, CA, CU, METRO, MET69, EPT or COM
  code_commune_com: For a COM groupement, the commune's INSEE code (target COG); null otherwise
  nb_communes: Member communes of the territory matched to this groupement (target COG)
  population_reference: Their municipal population (découpage administratif)
  codes_communes: Their codes, ' ; '-separated
  millesime: Release year of the TI list
tests:
  - unique: [id_ti, siren_groupement]
  - not_null: [id_ti, siren_groupement, nature_juridique, nb_communes]
  - relationships: {column: id_ti, to: mart_ti_composition.id_ti}
  - accepted_values: {column: nature_juridique, values: [CC, CA, CU, METRO, MET69, EPT, COM]}
  - assert:
      name: com_resolu_par_siren
      sql: "select * from mart_ti_groupements where nature_juridique = 'COM' and code_commune_com is null"
    severity: warn
    description: Every COM groupement's SIREN is found in the découpage administratif
  - assert:
      name: groupements_avec_communes
      sql: "select * from mart_ti_groupements where nb_communes = 0"
    severity: warn
    description: Every groupement of the list brings at least one commune (an EPT cannot be matched, see mart_ti_composition)
--- */
with communes_com as (
    select siren_commune, code_commune
    from stg_communes_siren
    where type_commune = 'commune-actuelle'
),
membres as (
    select
        id_ti, siren_groupement,
        count(*) as nb_communes,
        sum(population_reference) as population_reference,
        string_agg(code_commune, ' ; ' order by code_commune) as codes_communes
    from mart_ti_composition
    where siren_groupement is not null
    group by all
)
select
    g.id_ti,
    g.lib_ti,
    g.siren_groupement,
    g.lib_groupement,
    g.nature_juridique,
    case when g.nature_juridique = 'COM' then c.code_commune end as code_commune_com,
    coalesce(m.nb_communes, 0) as nb_communes,
    m.population_reference,
    m.codes_communes,
    g.millesime
from stg_ti_groupements g
left join communes_com c on c.siren_commune = g.siren_groupement
left join membres m using (id_ti, siren_groupement)
order by g.id_ti, g.siren_groupement
