/* ---
materialized: mart
description: >
  Who is in each territory: one row per territory and member commune (target COG), with the
  commune's département, region, EPCI and the TI groupement it comes through, the territory's
  reference region and every region it touches. A commune in several territories has one row in
  each (nb_ti > 1); the two halves of a merged commune are one row whose codes_commune_liste
  holds both codes of the TI list.
columns:
  id_ti: Territory id
  lib_ti: Territory name
  code_region_reference: The territory's reference region (most of its population)
  libelle_region_reference: Its name
  codes_regions: Every region the territory touches
  code_commune: Commune code (target COG)
  libelle_commune: Commune name
  codes_commune_liste: The commune's code(s) in the TI list (its COG)
  code_departement: Département
  code_region: Region of the commune
  siren_epci: SIREN of the commune's EPCI (Insee)
  libelle_epci: EPCI name
  siren_groupement: The TI groupement the commune comes through (EPCI, EPT, or the commune itself)
  lib_groupement: Its name
  nature_juridique: Its legal form (CC, CA, CU, METRO, MET69, EPT, COM)
  nb_ti: Number of territories the commune belongs to
  annee_cog: Target COG year
  libelles_regions: Names of every region the territory touches (same order as codes_regions)
  libelle_region: Name of the commune's region
  population_reference: Municipal population of the commune (découpage administratif, target COG), the weight used to choose the reference region
tests:
  - unique: [id_ti, code_commune]
  - not_null: [id_ti, lib_ti, code_commune, code_region_reference]
  - relationships: {column: id_ti, to: stg_ti_territoires.id_ti}
  - assert:
      name: territoires_avec_communes
      sql: "select id_ti, lib_ti from stg_ti_territoires where id_ti not in (select id_ti from mart_ti_composition)"
    description: No territory of the ANCT list without communes
  - assert:
      name: communes_avec_groupement
      sql: "select id_ti, code_commune, libelle_commune, siren_epci from mart_ti_composition where siren_groupement is null"
    severity: warn
    description: >
      Every member commune is matched to a groupement of the TI list, through its EPCI (Insee) or
      its own SIREN (COM); an EPT is in neither, so its communes are reported here
--- */
with groupements as (
    -- a commune comes into a territory through its EPCI, or directly (nature COM, by its SIREN)
    select m.id_ti, m.code_commune,
           arg_min(g.siren_groupement, g.nature_juridique = 'COM') as siren_groupement
    from int_ti_communes m
    join int_communes c using (code_commune)
    left join stg_communes_siren s on s.code_commune = m.code_commune and s.type_commune = 'commune-actuelle'
    join stg_ti_groupements g
      on g.id_ti = m.id_ti and (g.siren_groupement = c.siren_epci or g.siren_groupement = s.siren_commune)
    group by all
)
select
    m.id_ti,
    t.lib_ti,
    r.code_region as code_region_reference,
    reg.libelle_region as libelle_region_reference,
    r.codes_regions,
    m.code_commune,
    c.libelle_commune,
    m.codes_commune_liste,
    c.code_departement,
    c.code_region,
    c.siren_epci,
    c.libelle_epci,
    gr.siren_groupement,
    g.lib_groupement,
    g.nature_juridique,
    c.nb_ti,
    c.annee_cog,
    (select string_agg(x.libelle_region, ' ; ' order by x.code_region)
     from stg_cog_regions x
     where list_contains(string_split(r.codes_regions, ' ; '), x.code_region)) as libelles_regions,
    reg_c.libelle_region,
    c.population_reference
from int_ti_communes m
join stg_ti_territoires t on t.id_ti = m.id_ti
join int_communes c on c.code_commune = m.code_commune
left join int_ti_regions r on r.id_ti = m.id_ti
left join stg_cog_regions reg on reg.code_region = r.code_region
left join stg_cog_regions reg_c on reg_c.code_region = c.code_region
left join groupements gr on gr.id_ti = m.id_ti and gr.code_commune = m.code_commune
left join stg_ti_groupements g on g.id_ti = m.id_ti and g.siren_groupement = gr.siren_groupement
