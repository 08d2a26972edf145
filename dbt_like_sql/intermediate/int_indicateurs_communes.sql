/* ---
description: >
  Numerators and denominators of every indicator, by commune of the target COG and year (counts,
  never ratios: territories and comparators add these up and divide last, DESIGN.md decision 5).
  Census ratios use the values of the census year itself (P21_* of RP 2021); Flores counts the
  industry of the configured scope; secret is true when a suppressed Flores cell went in.
columns:
  code_indicateur: Indicator code (dim_indicateur)
  source: Source of the figures
  millesime: Vintage of the source
  annee: Year the figures refer to
  code_commune: Commune (target COG)
  numerateur: Numerator (the value itself for counts)
  denominateur: Denominator, null for counts
  secret: A suppressed cell contributed
tests:
  - unique: [code_indicateur, millesime, annee, code_commune]
  - not_null: [code_indicateur, annee, code_commune]
--- */
with definitions_rp(code_indicateur, base, variable_numerateur, variable_denominateur) as (
    values
    ('population', 'rp_population', 'P_POP', null),
    ('part_60_plus', 'rp_population', 'P_POP60P', 'P_POP'),
    ('taux_activite_15_64', 'rp_emploi', 'P_ACT1564', 'P_POP1564'),
    ('taux_chomage_15_64', 'rp_emploi', 'P_CHOM1564', 'P_ACT1564'),
    ('part_ouvriers_actifs_occ', 'rp_emploi', 'C_ACTOCC1564_OUVRIERS', 'C_ACTOCC1564'),
    ('emplois_lt', 'rp_emploi', 'P_EMPLT', null),
    ('concentration_emploi', 'rp_emploi', 'P_EMPLT', 'P_ACTOCC'),
    ('part_emploi_industriel', 'rp_emploi', 'C_EMPLT_INDUS', 'C_EMPLT'),
    ('part_femmes_industrie', 'rp_emploi', 'C_INDUSLT_F', 'C_EMPLT_INDUS'),
    ('part_salaries_industrie', 'rp_emploi', 'C_INDUSLT_SAL', 'C_EMPLT_INDUS')
),
rp as (
    select
        d.code_indicateur,
        'Insee, recensement de la population' as source,
        r.millesime,
        r.annee,
        r.code_commune,
        sum(r.valeur) filter (where r.variable = d.variable_numerateur) as numerateur,
        sum(r.valeur) filter (where r.variable = d.variable_denominateur) as denominateur,
        false as secret
    from definitions_rp d
    join int_rp_communes r
      on r.base = d.base
     and r.variable in (d.variable_numerateur, d.variable_denominateur)
     and r.annee = r.millesime
    group by d.code_indicateur, r.millesime, r.annee, r.code_commune
),
flores_communes as (
    select
        millesime, annee, code_commune,
        coalesce(sum(valeur) filter (where mesure = 'EMPL3112' and tranche_effectif = '_T' and est_industrie), 0) as postes_industrie,
        bool_or(secret) filter (where mesure = 'EMPL3112' and tranche_effectif = '_T' and est_industrie) as postes_industrie_secret,
        sum(valeur) filter (where mesure = 'EMPL3112' and tranche_effectif = '_T' and activite_a38 = '_T') as postes_total,
        bool_or(secret) filter (where mesure = 'EMPL3112' and tranche_effectif = '_T' and activite_a38 = '_T') as postes_total_secret,
        coalesce(sum(valeur) filter (where mesure = 'UNIT_LOC' and tranche_effectif = '_T' and est_industrie), 0) as etab_industrie,
        bool_or(secret) filter (where mesure = 'UNIT_LOC' and tranche_effectif = '_T' and est_industrie) as etab_industrie_secret,
        coalesce(sum(valeur) filter (
            where mesure = 'EMPL3112' and est_industrie
              and tranche_effectif in ('E50T99', 'E100T199', 'E200T499', 'E_GE500')
        ), 0) as postes_industrie_50_plus,
        bool_or(secret) filter (
            where mesure = 'EMPL3112' and est_industrie
              and tranche_effectif in ('E50T99', 'E100T199', 'E200T499', 'E_GE500')
        ) as postes_industrie_50_plus_secret
    from int_flores_communes
    group by all
),
flores as (
    select 'postes_salaries_industrie' as code_indicateur, millesime, annee, code_commune,
           postes_industrie as numerateur, null::double as denominateur,
           coalesce(postes_industrie_secret, false) as secret
    from flores_communes
    union all
    select 'part_industrie_emploi_salarie', millesime, annee, code_commune,
           postes_industrie, postes_total,
           coalesce(postes_industrie_secret, false) or coalesce(postes_total_secret, false)
    from flores_communes
    union all
    select 'etab_employeurs_industrie', millesime, annee, code_commune,
           etab_industrie, null::double, coalesce(etab_industrie_secret, false)
    from flores_communes
    union all
    select 'part_postes_ind_etab_50_plus', millesime, annee, code_commune,
           postes_industrie_50_plus, postes_industrie,
           coalesce(postes_industrie_50_plus_secret, false) or coalesce(postes_industrie_secret, false)
    from flores_communes
),
laureats as (
    -- every commune gets a count, 0 when no lauréat is located there: absence of lauréats is a
    -- known zero, not missing data (else every territory would be flagged partiel)
    select
        'nb_laureats_relance' as code_indicateur,
        'DGE, Plan de relance - projets industriels' as source,
        a.millesime, a.millesime as annee, c.code_commune,
        count(distinct l.id_laureat)::double as numerateur, null::double as denominateur, false as secret
    from int_communes c
    cross join (select distinct millesime from int_laureats_localises where source_laureat = 'relance_laureats') a
    left join int_laureats_localises l
      on l.code_commune = c.code_commune and l.millesime = a.millesime and l.source_laureat = 'relance_laureats'
    group by all
),
communes as (
    select 'nb_communes' as code_indicateur, 'Insee, COG' as source, annee_cog as millesime, annee_cog as annee,
           code_commune, 1.0 as numerateur, null::double as denominateur, false as secret
    from int_communes
)
select * from rp
union all by name
select *, 'Insee, Flores' as source from flores
union all by name
select * from laureats
union all by name
select * from communes
