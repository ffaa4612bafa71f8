// name: url_first_sightings
// purpose: Where and when a URL (or every URL of a domain) was first seen on each platform, and by whom.
// param url: str = "" | a normalised URL; "" to use domain
// param domain: str = "" | a domain, e.g. archive.org, when url is ""
// param limit: int = 100 | how many rows
// returns: url, platform, first_post, first_at, first_account, posts
// example: signalboost query url_first_sightings --param domain=archive.org
MATCH (u:URL)
WHERE ($url <> "" AND u.url = $url) OR ($url = "" AND u.domain = $domain)
MATCH (p)-[:LINKS_TO]->(u)
WITH u, p, CASE WHEN p:Tweet THEN "twitter" ELSE "4chan" END AS platform
ORDER BY p.ts ASC
WITH u, platform, collect(p) AS posts
WITH u, platform, posts[0] AS first, size(posts) AS n
OPTIONAL MATCH (who:Account)-[:POSTED]->(first)
RETURN u.url AS url, platform, first.post_id AS first_post, first.created_at AS first_at,
       coalesce(who.username, who.account_id) AS first_account, n AS posts
ORDER BY url ASC, first.ts ASC
LIMIT $limit
