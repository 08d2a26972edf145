/* ---
materialized: mart
partition_by: [annee]
description: >
  The portrait indicators, long format: one row per territory, indicator and year, with the
  numerator and denominator summed over the territory's communes (target COG; a commune shared by
  two territories counts in both), the value computed from dim_indicateur.type_calcul, and the
  four comparators (France, the territory's reference region, all territories together, France
  outside the territories) computed the same way from the same commune figures
  (int_indicateurs_zones). When a source has several vintages for the same year, the newest is
  kept.
columns:
  id_ti: Territory id (ti-NNNN)
  lib_ti: Territory name
  code_indicateur: Indicator code (dim_indicateur)
  annee: Year the figures refer to (for changes, the end of the period)
  numerateur: Sum of the communes' numerators (the value itself for counts and sums)
  denominateur: Sum of the communes' denominators, null for counts and sums
  valeur: Value (see dim_indicateur.type_calcul)
  unite: Unit (nombre, part, pour 100, pour 10 000, taux, EUR)
  valeur_france: Value for France (all communes)
  valeur_region: Value for the territory's reference region
  valeur_ensemble_ti: Value for all territories together (each commune once)
  valeur_hors_ti: Value for France outside the territories
  code_region: Reference region of the territory (the one holding most of its population)
  source: Source of the figures
  millesime: Vintage of the source
  annee_cog: COG year the communes were moved onto
  qualite: >
    ok; secret (suppressed Flores or Urssaf cells went in: under-estimate); partiel (some
    communes without data, or lauréat amounts not all reported: see couverture)
  nb_communes_renseignees: Communes of the territory with data for this indicator
  nb_communes: Communes of the territory
  annee_base: For changes (type_calcul evolution, taux_annuel), the year of the denominator; null otherwise
  couverture: >
    Share of the units behind the figure whose value is known: for lauréat sums, the territory's
    lauréats whose amount is reported; for Urssaf changes, the industrial employer establishments
    (both years) whose headcount cell is published, i.e. not secret; null otherwise
  detail: For top_secteurs_industriels, the A38 codes of the territory's three largest industrial sectors (' ; ')
tests:
  - unique: [id_ti, code_indicateur, annee]
  - not_null: [id_ti, code_indicateur, annee, unite, qualite, annee_cog]
  - relationships: {column: code_indicateur, to: dim_indicateur.code_indicateur}
  - relationships: {column: id_ti, to: mart_ti_composition.id_ti}
  - accepted_values: {column: qualite, values: [ok, secret, partiel]}
  - row_count: {min: 1}
  - assert: {name: parts_entre_0_et_1, sql: "select * from mart_ti_indicateurs where unite = 'part' and (valeur < 0 or valeur > 1 or valeur_france < 0 or valeur_france > 1)"}
  - assert: {name: numerateur_inferieur_denominateur, sql: "select * from mart_ti_indicateurs where unite = 'part' and numerateur > denominateur"}
  - assert: {name: couverture_entre_0_et_1, sql: "select * from mart_ti_indicateurs where couverture < 0 or couverture > 1"}
  - assert: {name: evolutions_avec_annee_base, sql: "select * from mart_ti_indicateurs where unite = 'taux' and (annee_base is null or annee_base >= annee)"}
  - assert:
      name: nb_territoires_egal_liste_ti
      sql: >
        select n_mart, n_liste from (
          select (select count(distinct id_ti) from mart_ti_indicateurs) as n_mart,
                 (select count(*) from stg_ti_territoires) as n_liste
        ) where n_mart <> n_liste
    description: As many territories as the ANCT list (183 on live data), compared with the list itself, not a constant
  - assert:
      name: totaux_conserves_cog_cible
      sql: >
        select * from int_controle_conservation
        where abs(ecart) > 1e-6 * greatest(abs(total_avant), 1)
    description: Population, jobs, Flores posts and Urssaf headcount are the same before and after the move to the target COG
  - assert:
      name: valeurs_hors_cog_cible
      sql: >
        select * from int_controle_conservation
        where abs(ecart_hors_cog_cible) > 1e-6 * greatest(abs(total_avant), 1)
    severity: warn
    description: Values left on codes the target COG does not know (they count in no zone)
  - assert:
      name: indicateurs_de_chaque_territoire
      sql: >
        select t.id_ti, d.code_indicateur
        from stg_ti_territoires t cross join dim_indicateur d
        where not exists (
          select 1 from mart_ti_indicateurs m where m.id_ti = t.id_ti and m.code_indicateur = d.code_indicateur
        )
    severity: warn
    description: Every indicator of dim_indicateur has at least one row for every territory of the list
--- */
with valeurs as (
    select
        z.*,
        d.unite,
        case d.type_calcul
            when 'somme' then z.numerateur
            when 'part' then z.numerateur / nullif(z.denominateur, 0)
            when 'pour_100' then 100 * z.numerateur / nullif(z.denominateur, 0)
            when 'pour_10000' then 10000 * z.numerateur / nullif(z.denominateur, 0)
            when 'evolution' then z.numerateur / nullif(z.denominateur, 0) - 1
            when 'taux_annuel' then pow(z.numerateur / nullif(z.denominateur, 0), 1.0 / (z.annee - z.annee_base)) - 1
        end as valeur,
        z.nb_unites_renseignees / nullif(z.nb_unites, 0) as couverture
    from int_indicateurs_zones z
    join dim_indicateur d using (code_indicateur)
),
comparateurs as (
    select type_zone, code_zone, code_indicateur, annee, valeur
    from valeurs
    where type_zone <> 'TI'
)
select
    t.code_zone as id_ti,
    ti.lib_ti,
    t.code_indicateur,
    t.annee,
    t.numerateur,
    t.denominateur,
    t.valeur,
    t.unite,
    fr.valeur as valeur_france,
    rg.valeur as valeur_region,
    en.valeur as valeur_ensemble_ti,
    ht.valeur as valeur_hors_ti,
    r.code_region,
    t.source,
    t.millesime,
    getvariable('target_cog_year') as annee_cog,
    case
        when t.secret then 'secret'
        when t.nb_communes_renseignees < t.nb_communes_zone then 'partiel'
        when t.couverture < 1 then 'partiel'
        else 'ok'
    end as qualite,
    t.nb_communes_renseignees,
    t.nb_communes_zone as nb_communes,
    t.annee_base,
    t.couverture,
    t.detail
from valeurs t
join stg_ti_territoires ti on ti.id_ti = t.code_zone
left join int_ti_regions r on r.id_ti = t.code_zone
left join comparateurs fr on fr.type_zone = 'FRANCE' and fr.code_indicateur = t.code_indicateur and fr.annee = t.annee
left join comparateurs rg on rg.type_zone = 'REGION' and rg.code_zone = r.code_region and rg.code_indicateur = t.code_indicateur and rg.annee = t.annee
left join comparateurs en on en.type_zone = 'ENSEMBLE_TI' and en.code_indicateur = t.code_indicateur and en.annee = t.annee
left join comparateurs ht on ht.type_zone = 'HORS_TI' and ht.code_indicateur = t.code_indicateur and ht.annee = t.annee
where t.type_zone = 'TI'
