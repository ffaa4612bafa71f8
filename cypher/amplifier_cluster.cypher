// name: amplifier_cluster
// purpose: An amplifier cluster's members and the content they pushed (retweeted tweets and linked URLs), most pushed first.
// param cluster: str | cluster id (amplifier_clusters.csv, e.g. A1)
// param limit: int = 20 | how many items of content
// returns: cluster_id, automated, members, item, kind, pushed_by, shares, first_at
// example: signalboost query amplifier_cluster --param cluster=A1
MATCH (cl:AmplifierCluster {cluster_id: $cluster})<-[:IN_CLUSTER]-(a:Account)
WITH cl, collect(a) AS members
UNWIND members AS m
MATCH (m)-[:POSTED]->(t:Tweet)
OPTIONAL MATCH (t)-[:RETWEETED]->(o:Tweet)
OPTIONAL MATCH (t)-[:LINKS_TO]->(u:URL)
WITH cl, size(members) AS size, m, t,
     CASE WHEN o IS NOT NULL THEN "tweet:" + o.post_id WHEN u IS NOT NULL THEN u.url ELSE NULL END AS item,
     CASE WHEN o IS NOT NULL THEN "retweet" WHEN u IS NOT NULL THEN "url" ELSE NULL END AS kind
WHERE item IS NOT NULL
RETURN cl.cluster_id AS cluster_id, cl.automated AS automated, size AS members, item, kind,
       count(DISTINCT m) AS pushed_by, count(t) AS shares, min(t.created_at) AS first_at
ORDER BY pushed_by DESC, shares DESC, item ASC
LIMIT $limit
