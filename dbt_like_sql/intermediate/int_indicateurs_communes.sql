/* ---
description: >
  Numerators and denominators of every indicator computed from commune data, by commune of the
  target COG and year (counts, never ratios: territories and comparators add these up and divide
  last, DESIGN.md decision 5). Census ratios use the values of the census year itself (P21_* of
  RP 2021) and census changes the history column of the same file (P15_* in RP 2021, 6 years
  earlier), and the changes between vintages each census base against those of 2011 and 2016;
  Flores and Urssaf count the industry of the configured scope (variable
  industry_scope); secret is true when a suppressed Flores or Urssaf cell went in. Indicators that
  cannot be summed commune by commune (nb_epci, top_secteurs_industriels) are computed per zone in
  int_indicateurs_zones.
columns:
  code_indicateur: Indicator code (dim_indicateur)
  source: Source of the figures
  millesime: Vintage of the source
  annee: Year the figures refer to
  annee_base: For changes, the year of the denominator (the start of the period); null otherwise
  code_commune: Commune (target COG)
  numerateur: Numerator (the value itself for counts and sums)
  denominateur: Denominator, null for counts and sums
  secret: A suppressed cell contributed (the figure is an under-estimate)
  renseigne: The commune has the data this indicator needs (numerator, and denominator for a ratio)
  nb_unites: >
    Units behind the figure, for a coverage: lauréats located in the commune (lauréat sums), or
    industrial employer establishments of both years (Urssaf changes); null otherwise
  nb_unites_renseignees: >
    Those whose value is known: lauréats with the amount reported, establishments whose headcount
    cell is published (not secret); null otherwise
tests:
  - unique: [code_indicateur, millesime, annee, code_commune]
  - not_null: [code_indicateur, annee, code_commune, secret, renseigne]
--- */
with definitions_rp(code_indicateur, base, variable_numerateur, variable_denominateur) as (
    values
    ('population', 'rp_population', 'P_POP', null),
    ('part_60_plus', 'rp_population', 'P_POP60P', 'P_POP'),
    ('taux_activite_15_64', 'rp_emploi', 'P_ACT1564', 'P_POP1564'),
    ('taux_chomage_15_64', 'rp_emploi', 'P_CHOM1564', 'P_ACT1564'),
    ('part_ouvriers_actifs_occ', 'rp_emploi', 'C_ACTOCC1564_OUVRIERS', 'C_ACTOCC1564'),
    ('emplois_lt', 'rp_emploi', 'P_EMPLT', null),
    ('emplois_industrie_lt', 'rp_emploi', 'C_EMPLT_INDUS', null),
    ('concentration_emploi', 'rp_emploi', 'P_EMPLT', 'P_ACTOCC'),
    ('part_emploi_industriel', 'rp_emploi', 'C_EMPLT_INDUS', 'C_EMPLT'),
    ('part_femmes_industrie', 'rp_emploi', 'C_INDUSLT_F', 'C_EMPLT_INDUS'),
    ('part_salaries_industrie', 'rp_emploi', 'C_INDUSLT_SAL', 'C_EMPLT_INDUS')
),
rp as (
    select
        d.code_indicateur,
        r.millesime,
        r.annee,
        null::integer as annee_base,
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
evolutions_rp as (
    -- each census file carries its variable 6 years earlier (P15_POP in RP 2021): the change is
    -- measured over the period the file really gives, in one geography and one methodology
    select
        e.code_indicateur,
        n.millesime,
        n.annee,
        d.annee as annee_base,
        n.code_commune,
        n.valeur as numerateur,
        d.valeur as denominateur,
        false as secret
    from (values ('evol_population_5a', 'rp_population', 'P_POP'),
                 ('evol_emplois_lt_5a', 'rp_emploi', 'P_EMPLT')) e(code_indicateur, base, variable)
    join int_rp_communes n
      on n.base = e.base and n.variable = e.variable and n.annee = n.millesime
    join int_rp_communes d
      on d.base = n.base and d.variable = n.variable and d.millesime = n.millesime
     and d.code_commune = n.code_commune and d.annee < n.millesime
),
evolutions_rp_millesimes as (
    -- vintage against vintage: each census base against the bases of 2011 and 2016 (the census's
    -- own periods of about 10 and 5 years before RP 2021-2022), each year taken from its own file
    -- and moved onto the target COG; a commune missing from either year is left out
    select
        e.prefixe || b.annee_base as code_indicateur,
        n.millesime,
        n.annee,
        d.annee as annee_base,
        n.code_commune,
        n.valeur as numerateur,
        d.valeur as denominateur,
        false as secret
    from (values ('evol_emplois_lt_depuis_', 'P_EMPLT'),
                 ('evol_emplois_industrie_lt_depuis_', 'C_EMPLT_INDUS')) e(prefixe, variable)
    cross join (values (2011), (2016)) b(annee_base)
    join int_rp_communes n
      on n.base = 'rp_emploi' and n.variable = e.variable and n.annee = n.millesime and n.millesime > b.annee_base
    join int_rp_communes d
      on d.base = 'rp_emploi' and d.variable = e.variable and d.millesime = b.annee_base and d.annee = b.annee_base
     and d.code_commune = n.code_commune
),
flores_communes as (
    select
        millesime, annee, code_commune,
        coalesce(sum(valeur) filter (where mesure = 'EMPL3112' and tranche_effectif = '_T' and est_industrie), 0) as postes_industrie,
        coalesce(bool_or(secret) filter (where mesure = 'EMPL3112' and tranche_effectif = '_T' and est_industrie), false) as postes_industrie_secret,
        sum(valeur) filter (where mesure = 'EMPL3112' and tranche_effectif = '_T' and activite_a38 = '_T') as postes_total,
        coalesce(bool_or(secret) filter (where mesure = 'EMPL3112' and tranche_effectif = '_T' and activite_a38 = '_T'), false) as postes_total_secret,
        coalesce(sum(valeur) filter (where mesure = 'UNIT_LOC' and tranche_effectif = '_T' and est_industrie), 0) as etab_industrie,
        coalesce(bool_or(secret) filter (where mesure = 'UNIT_LOC' and tranche_effectif = '_T' and est_industrie), false) as etab_industrie_secret,
        -- size bands are published only as detail cells (A38 x band), the ones most often secret
        coalesce(sum(valeur) filter (
            where mesure = 'EMPL3112' and est_industrie
              and tranche_effectif in ('E50T99', 'E100T199', 'E200T499', 'E_GE500')
        ), 0) as postes_industrie_50_plus,
        coalesce(bool_or(secret) filter (
            where mesure = 'EMPL3112' and est_industrie
              and tranche_effectif in ('E50T99', 'E100T199', 'E200T499', 'E_GE500')
        ), false) as postes_industrie_50_plus_secret,
        -- Flores has no 250 boundary: the nearest is 200 (bands E200T499 and E_GE500)
        coalesce(sum(valeur) filter (
            where mesure = 'EMPL3112' and est_industrie and tranche_effectif in ('E200T499', 'E_GE500')
        ), 0) as postes_industrie_200_plus,
        coalesce(bool_or(secret) filter (
            where mesure = 'EMPL3112' and est_industrie and tranche_effectif in ('E200T499', 'E_GE500')
        ), false) as postes_industrie_200_plus_secret
    from int_flores_communes
    group by all
),
flores as (
    select 'postes_salaries_industrie' as code_indicateur, millesime, annee, code_commune,
           postes_industrie as numerateur, null::double as denominateur,
           postes_industrie_secret as secret
    from flores_communes
    union all
    select 'part_industrie_emploi_salarie', millesime, annee, code_commune,
           postes_industrie, postes_total,
           postes_industrie_secret or postes_total_secret
    from flores_communes
    union all
    select 'etab_employeurs_industrie', millesime, annee, code_commune,
           etab_industrie, null::double, etab_industrie_secret
    from flores_communes
    union all
    select 'part_postes_ind_etab_50_plus', millesime, annee, code_commune,
           postes_industrie_50_plus, postes_industrie,
           postes_industrie_50_plus_secret or postes_industrie_secret
    from flores_communes
    union all
    select 'part_postes_ind_etab_250_plus', millesime, annee, code_commune,
           postes_industrie_200_plus, postes_industrie,
           postes_industrie_200_plus_secret or postes_industrie_secret
    from flores_communes

    union all
    -- the millésimes 2017-2021 (A17 tables) give the industrial posts only
    select 'postes_salaries_industrie', millesime, annee, code_commune,
           postes_industrie, null::double, postes_industrie_secret
    from int_flores_td_communes
),
urssaf_presence as (
    -- a commune of the Urssaf file has 0 industrial employees in a year where it has no
    -- industrial row; a commune absent from the file has no data (quality 'partiel')
    select distinct millesime, code_commune from int_urssaf_communes
),
urssaf_annees as (
    select distinct millesime, annee from int_urssaf_communes
),
urssaf_industrie as (
    select
        p.millesime, a.annee, p.code_commune,
        coalesce(u.effectifs_industrie, 0) as effectifs_industrie,
        coalesce(u.secret_industrie, false) as secret,
        coalesce(u.etablissements_industrie, 0) as etablissements,
        coalesce(u.etablissements_secret_industrie, 0) as etablissements_secret
    from urssaf_presence p
    join urssaf_annees a using (millesime)
    left join int_urssaf_communes u
      on u.millesime = p.millesime and u.code_commune = p.code_commune and u.annee = a.annee
),
urssaf_premiere_annee as (
    select millesime, min(annee) as annee from urssaf_annees group by all
),
urssaf_niveaux as (
    -- the long series itself (2006 -> latest in the rolling file): the level of every year
    select
        'effectifs_ind_prive' as code_indicateur, millesime, annee, null::integer as annee_base, code_commune,
        effectifs_industrie as numerateur, null::double as denominateur, secret,
        etablissements as nb_unites, etablissements - etablissements_secret as nb_unites_renseignees
    from urssaf_industrie
),
urssaf_depuis_debut as (
    -- the change since the first year of the series (2006 in Urssaf's rolling file)
    select
        'evol_emploi_ind_prive_depuis_2006' as code_indicateur,
        n.millesime, n.annee, d.annee as annee_base, n.code_commune,
        n.effectifs_industrie as numerateur, d.effectifs_industrie as denominateur,
        n.secret or d.secret as secret,
        n.etablissements + d.etablissements as nb_unites,
        n.etablissements - n.etablissements_secret + d.etablissements - d.etablissements_secret as nb_unites_renseignees
    from urssaf_industrie n
    join urssaf_premiere_annee f on f.millesime = n.millesime and n.annee > f.annee
    join urssaf_industrie d on d.millesime = n.millesime and d.code_commune = n.code_commune and d.annee = f.annee
),
population_historique as (
    -- the census historical series: the population of every census year since 1968 (today's
    -- geography), and its change from 2006, the first census year of the annual census cycle
    select
        'population_historique' as code_indicateur, millesime, annee, null::integer as annee_base, code_commune,
        population as numerateur, null::double as denominateur
    from int_population_historique
    union all
    select
        'evol_population_depuis_2006', n.millesime, n.annee, d.annee, n.code_commune,
        n.population, d.population
    from int_population_historique n
    join int_population_historique d
      on d.millesime = n.millesime and d.code_commune = n.code_commune and d.annee = 2006
    where n.annee = n.millesime
),
filosofi as (
    -- poor persons are counted, never rates averaged: rate x persons where Insee publishes the
    -- rate, over the persons of those communes; the coverage (nb_unites_renseignees / nb_unites)
    -- is the share of the persons whose commune's rate is published (the others are secret)
    select 'taux_pauvrete' as code_indicateur, millesime, code_commune,
           pauvres as numerateur, personnes_taux_publie as denominateur,
           personnes_taux_publie > 0 as renseigne,
           personnes as nb_unites, personnes_taux_publie as nb_unites_renseignees
    from int_filosofi_communes
    union all
    -- a median cannot be summed: the persons-weighted mean of the communes' medians approximates it
    select 'niveau_vie_median_approche', millesime, code_commune,
           somme_medianes_ponderees, personnes_mediane_publiee,
           personnes_mediane_publiee > 0,
           personnes, personnes_mediane_publiee
    from int_filosofi_communes
),
urssaf as (
    select
        'evol_emploi_ind_prive_' || k.ans || 'a' as code_indicateur,
        n.millesime,
        n.annee,
        d.annee as annee_base,
        n.code_commune,
        n.effectifs_industrie as numerateur,
        d.effectifs_industrie as denominateur,
        n.secret or d.secret as secret,
        -- how much the secret hides: establishments whose headcount is published, both years
        n.etablissements + d.etablissements as nb_unites,
        n.etablissements - n.etablissements_secret + d.etablissements - d.etablissements_secret as nb_unites_renseignees
    from urssaf_industrie n
    cross join (values (1), (5), (10)) k(ans)
    join urssaf_industrie d
      on d.millesime = n.millesime and d.code_commune = n.code_commune and d.annee = n.annee - k.ans
),
laureats_relance as (
    -- every commune gets a count, 0 when no lauréat is located there: absence of lauréats is a
    -- known zero, not missing data (else every territory would be flagged partiel)
    select
        a.millesime, c.code_commune,
        count(distinct l.id_laureat)::double as nb_laureats
    from int_communes c
    cross join (select distinct millesime from int_laureats_localises where source_laureat = 'relance_laureats') a
    left join int_laureats_localises l
      on l.code_commune = c.code_commune and l.millesime = a.millesime and l.source_laureat = 'relance_laureats'
    group by all
),
montants as (
    select
        a.millesime, c.code_commune,
        count(distinct l.id_laureat) as nb_laureats,
        coalesce(sum(l.montant_investissement), 0) as investissement,
        count(l.montant_investissement) as nb_investissement,
        coalesce(sum(l.montant_aide), 0) as aide,
        count(l.montant_aide) as nb_aide,
        coalesce(sum(l.emplois), 0) as emplois,
        count(l.emplois) as nb_emplois
    from int_communes c
    cross join (select distinct millesime from int_laureats_localises where source_laureat = 'laureats_ti') a
    left join int_laureats_localises l
      on l.code_commune = c.code_commune and l.millesime = a.millesime and l.source_laureat = 'laureats_ti'
    group by all
),
laureats_ti as (
    select 'investissement_laureats' as code_indicateur, millesime, code_commune,
           investissement as numerateur, nb_laureats::double as nb_unites, nb_investissement::double as nb_unites_renseignees
    from montants
    union all
    select 'aide_laureats', millesime, code_commune, aide, nb_laureats::double, nb_aide::double from montants
    union all
    select 'emplois_laureats', millesime, code_commune, emplois, nb_laureats::double, nb_emplois::double from montants
),
annee_postes as (
    -- lauréats per industrial posts: the posts of the Flores year closest to the lauréats' year
    -- (the later one on a tie), and of that year's newest Flores vintage
    select
        l.millesime as millesime_laureats,
        arg_min(f.annee, (abs(f.annee - l.millesime), -f.annee)) as annee_flores
    from (select distinct millesime from laureats_relance) l
    cross join (select distinct annee from flores_communes) f
    group by all
),
postes_retenus as (
    select f.*
    from flores_communes f
    qualify f.millesime = max(f.millesime) over (partition by f.annee)
),
postes_serie as (
    -- industrial posts of every Flores year, A38 vintages (2022-2024) and A17 tables (2017-2021),
    -- each year from its newest vintage (2021: the A38 vintage 2022 rather than the A17 table 2021)
    select millesime, annee, code_commune, postes_industrie, postes_industrie_secret from flores_communes
    union all
    select millesime, annee, code_commune, postes_industrie, postes_industrie_secret from int_flores_td_communes
    qualify millesime = max(millesime) over (partition by annee)
),
flores_evolutions as (
    -- the change of industrial posts from the first year of the series to each later year, and over
    -- 5 years (every year whose fifth year before is in the series); every year from its newest
    -- vintage, a commune missing either year left out
    select
        e.code_indicateur,
        n.millesime, n.annee, d.annee as annee_base, n.code_commune,
        n.postes_industrie as numerateur, d.postes_industrie as denominateur,
        n.postes_industrie_secret or d.postes_industrie_secret as secret
    from (values ('evol_postes_industrie_flores', null), ('evol_postes_industrie_flores_5a', 5)) e(code_indicateur, ecart)
    cross join postes_serie n
    join postes_serie d
      on d.code_commune = n.code_commune and d.annee < n.annee
     and d.annee = coalesce(n.annee - e.ecart, (select min(annee) from postes_serie))
),
laureats_postes as (
    select
        'laureats_pour_10k_postes_ind' as code_indicateur,
        l.millesime, l.code_commune,
        -- a commune without Flores data counts neither its lauréats nor its posts
        case when f.postes_industrie is not null then l.nb_laureats end as numerateur,
        f.postes_industrie as denominateur,
        coalesce(f.postes_industrie_secret, false) as secret,
        'DGE, Plan de relance - projets industriels ; Insee, Flores ' || a.annee_flores as source
    from laureats_relance l
    join annee_postes a on a.millesime_laureats = l.millesime
    left join postes_retenus f on f.annee = a.annee_flores and f.code_commune = l.code_commune
),
communes as (
    select 'nb_communes' as code_indicateur, annee_cog as millesime, annee_cog as annee, code_commune,
           1.0 as numerateur, null::double as denominateur
    from int_communes
)
select
    code_indicateur, 'Insee, recensement de la population' as source, millesime, annee, annee_base, code_commune,
    numerateur, denominateur, secret,
    numerateur is not null and (denominateur is not null or code_indicateur in ('population', 'emplois_lt', 'emplois_industrie_lt')) as renseigne,
    null::double as nb_unites, null::double as nb_unites_renseignees
from rp
union all
select
    code_indicateur, 'Insee, recensement de la population', millesime, annee, annee_base, code_commune,
    numerateur, denominateur, secret, numerateur is not null and denominateur is not null, null, null
from evolutions_rp
union all
select
    code_indicateur, 'Insee, recensement de la population', millesime, annee, annee_base, code_commune,
    numerateur, denominateur, secret, numerateur is not null and denominateur is not null, null, null
from evolutions_rp_millesimes
union all
select
    code_indicateur, 'Insee, recensement de la population, séries historiques', millesime, annee, annee_base, code_commune,
    numerateur, denominateur, false, true, null, null
from population_historique
union all
select
    code_indicateur, 'Insee, Flores', millesime, annee, null, code_commune,
    numerateur, denominateur, secret,
    numerateur is not null and (denominateur is not null or code_indicateur in ('postes_salaries_industrie', 'etab_employeurs_industrie')),
    null, null
from flores
union all
select
    code_indicateur, 'Insee, Flores', millesime, annee, annee_base, code_commune,
    numerateur, denominateur, secret, true, null, null
from flores_evolutions
union all
select
    code_indicateur, 'Urssaf, établissements et effectifs salariés par commune et APE', millesime, annee, annee_base,
    code_commune, numerateur, denominateur, secret, true, nb_unites, nb_unites_renseignees
from urssaf
union all
select
    code_indicateur, 'Urssaf, établissements et effectifs salariés par commune et APE', millesime, annee, annee_base,
    code_commune, numerateur, denominateur, secret, true, nb_unites, nb_unites_renseignees
from urssaf_niveaux
union all
select
    code_indicateur, 'Urssaf, établissements et effectifs salariés par commune et APE', millesime, annee, annee_base,
    code_commune, numerateur, denominateur, secret, true, nb_unites, nb_unites_renseignees
from urssaf_depuis_debut
union all
select
    code_indicateur, 'Insee, Filosofi', millesime, millesime, null, code_commune,
    numerateur, denominateur, false, renseigne, nb_unites, nb_unites_renseignees
from filosofi
union all
select
    'nb_laureats_relance', 'DGE, Plan de relance - projets industriels', millesime, millesime, null, code_commune,
    nb_laureats, null, false, true, null, null
from laureats_relance
union all
select
    code_indicateur, 'ANCT/DGE, lauréats du fonds Territoires d''industrie', millesime, millesime, null, code_commune,
    numerateur, null, false, true, nb_unites, nb_unites_renseignees
from laureats_ti
union all
select
    code_indicateur, source, millesime, millesime, null, code_commune,
    numerateur, denominateur, secret, denominateur is not null, null, null
from laureats_postes
union all
select
    code_indicateur, 'Insee, COG', millesime, annee, null, code_commune,
    numerateur, denominateur, false, true, null, null
from communes
