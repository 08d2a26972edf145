/* ---
# a view: turning the year columns into rows is a list unnest (0.5 s for the 20.7 M rows of the
# national file), cheaper than writing them to Parquet and reading them back (issue 8)
materialized: view
description: >
  Urssaf private-sector employer establishments and salaried headcount at 31/12 by commune and
  APE code, one row per commune x APE x year (the file has one column per year and measure).
  Empty cells (secret or no employer) stay null; a year with both cells empty is not a row. The
  two measures of a year are paired by the year in their column names (annees_effectifs =
  annees_etablissements, or the model fails saying so).
columns:
  millesime: Vintage (latest year of the file)
  annee_cog: COG year of code_geo
  code_geo: Commune or arrondissement code
  code_ape: APE code without dot (2562Z)
  division_naf: First two digits of the APE code (NAF division)
  annee: Year
  effectifs_salaries: Salaried headcount at 31/12
  nombre_etablissements: Employer establishments at 31/12
tests:
  - not_null: [code_geo, code_ape, annee]
--- */
-- The file has one column per year and measure (effectifs_salaries_2006 ... 2024,
-- nombre_d_etablissements_2006 ... 2024). Each row's values of a family become a list (in column
-- order), put in year order by the family's positions sorted by year; the two lists and the years
-- are then unnested together: no UNPIVOT followed by a GROUP BY on 20 M rows (9 s at national
-- scale, 0.5 s this way). When the columns already come in year order (the file's order), the
-- lists are taken as they are: reordering each of the 1.2 M rows' lists was half the cost of a
-- scan of this view (national: 1.42 -> 0.71 s, 1.7 -> 0.8 CPU-s; the view is scanned twice a run).
with colonnes as (
    select
        regexp_extract(column_name, '^(.*)_\d{4}$', 1) as famille,
        cast(right(column_name, 4) as integer) as annee,
        -- position in the family's list: list_value(*columns(...)) follows the column order
        row_number() over (partition by regexp_extract(column_name, '^(.*)_\d{4}$', 1) order by column_index) as position
    from duckdb_columns()
    where table_name = 'raw_urssaf_ape'
      and regexp_matches(column_name, '^(effectifs_salaries|nombre_d_etablissements)_\d{4}$')
),
familles as (
    select
        list(annee order by annee) filter (where famille = 'effectifs_salaries') as annees_effectifs,
        list(annee order by annee) filter (where famille = 'nombre_d_etablissements') as annees_etablissements,
        list(position order by annee) filter (where famille = 'effectifs_salaries') as ordre_effectifs,
        list(position order by annee) filter (where famille = 'nombre_d_etablissements') as ordre_etablissements
    from colonnes
),
annees as (
    select
        case
            when annees_effectifs is distinct from annees_etablissements then error(
                'raw_urssaf_ape: the years of effectifs_salaries_* (' || coalesce(annees_effectifs::varchar, 'none')
                || ') and nombre_d_etablissements_* (' || coalesce(annees_etablissements::varchar, 'none') || ') differ')
            else annees_effectifs
        end as annees,
        ordre_effectifs,
        ordre_etablissements,
        ordre_effectifs = generate_series(1, len(ordre_effectifs))
            and ordre_etablissements = generate_series(1, len(ordre_etablissements)) as dans_l_ordre
    from familles
),
par_ligne as (
    select
        u.millesime,
        u.annee_cog,
        u.code_commune,
        u.code_ape,
        a.annees,
        case when a.dans_l_ordre then list_value(*columns('^effectifs_salaries_\d{4}$'))
             else list_select(list_value(*columns('^effectifs_salaries_\d{4}$')), a.ordre_effectifs) end as effectifs,
        case when a.dans_l_ordre then list_value(*columns('^nombre_d_etablissements_\d{4}$'))
             else list_select(list_value(*columns('^nombre_d_etablissements_\d{4}$')), a.ordre_etablissements) end as etablissements
    from raw_urssaf_ape u
    cross join annees a
),
long as (
    select
        millesime,
        annee_cog,
        code_commune as code_geo,
        code_ape,
        substr(code_ape, 1, 2) as division_naf,
        unnest(annees) as annee,
        unnest(effectifs) as effectifs_salaries,
        unnest(etablissements) as nombre_etablissements
    from par_ligne
)
select * from long
where effectifs_salaries is not null or nombre_etablissements is not null
