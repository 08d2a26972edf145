/* ---
materialized: mart
description: >
  The industrial A38 sectors of each territory and year (Flores): salaried posts at 31/12 and
  establishments, the sector's share of the territory's industrial posts and of all its posts, the
  same share for France, the location quotient (indice de spécificité) against France, and the
  sector's rank by posts, the three largest flagged (they make the top_secteurs_industriels
  indicator of mart_ti_indicateurs). Only sectors with posts or establishments in the territory.
columns:
  id_ti: Territory id
  lib_ti: Territory name
  annee: Year (31 December)
  activite_a38: A38 sector code (industry under industry_scope)
  libelle_a38: Sector label
  postes: Salaried posts at 31/12 of the sector in the territory
  etablissements: Establishments of the sector in the territory
  part_postes_industrie: postes / industrial posts of the territory
  part_postes_total: postes / posts of every activity in the territory
  postes_france: Salaried posts of the sector in France
  part_postes_total_france: Posts of the sector / posts of every activity, France
  indice_specificite: Location quotient, part_postes_total / part_postes_total_france (> 1 = over-represented)
  rang: Rank of the sector by posts in the territory (1 = most posts; ties by establishments, then code)
  top_3: Among the three largest industrial sectors of the territory
  secret: A suppressed Flores cell went into the sector's figures (under-estimate)
  millesime: Flores vintage
  annee_cog: Target COG year
tests:
  - unique: [id_ti, annee, activite_a38]
  - not_null: [id_ti, annee, activite_a38, libelle_a38, postes, etablissements, rang, top_3]
  - relationships: {column: id_ti, to: mart_ti_composition.id_ti}
  - assert: {name: parts_entre_0_et_1, sql: "select * from mart_ti_secteurs where part_postes_industrie not between 0 and 1 or part_postes_total not between 0 and 1"}
  - assert: {name: trois_premiers_au_plus, sql: "select id_ti, annee, count(*) as n from mart_ti_secteurs where top_3 group by all having count(*) > 3"}
  - assert:
      name: top_3_comme_indicateur
      sql: >
        select i.id_ti, i.annee, i.detail, s.codes
        from mart_ti_indicateurs i
        left join (
          select id_ti, annee, string_agg(activite_a38, ' ; ' order by rang) as codes
          from mart_ti_secteurs where top_3 group by all
        ) s using (id_ti, annee)
        where i.code_indicateur = 'top_secteurs_industriels' and i.detail is distinct from s.codes
    description: The flagged sectors are those of the top_secteurs_industriels indicator
--- */
select
    s.code_zone as id_ti,
    t.lib_ti,
    s.annee,
    s.activite_a38,
    a.libelle_a38,
    s.postes,
    s.etablissements,
    s.postes / nullif(s.postes_industrie_zone, 0) as part_postes_industrie,
    s.postes / nullif(s.postes_total_zone, 0) as part_postes_total,
    coalesce(f.postes, 0) as postes_france,
    coalesce(f.postes, 0) / nullif(f.postes_total_zone, 0) as part_postes_total_france,
    (s.postes / nullif(s.postes_total_zone, 0)) / nullif(f.postes / nullif(f.postes_total_zone, 0), 0) as indice_specificite,
    s.rang,
    s.rang <= 3 as top_3,
    s.secret,
    s.millesime,
    getvariable('target_cog_year') as annee_cog
from int_secteurs_zones s
join stg_ti_territoires t on t.id_ti = s.code_zone
join int_activites_a38 a using (activite_a38)
left join int_secteurs_zones f
  on f.type_zone = 'FRANCE' and f.annee = s.annee and f.activite_a38 = s.activite_a38
where s.type_zone = 'TI'
order by id_ti, annee, rang
