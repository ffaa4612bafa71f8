// name: edge_posts
// purpose: The posts behind an amplification edge: every tweet in which one account retweeted or quoted another.
// param source: str | account id or username of the amplifier
// param target: str | account id or username of the amplified account
// returns: post_id, kind, created_at, original_id, original_at, delay_s
// example: signalboost query edge_posts --param source=bot0x1_23 --param target=catalyst0_63
MATCH (a:Account) WHERE a.account_id = $source OR a.username = $source
MATCH (b:Account) WHERE b.account_id = $target OR b.username = $target
MATCH (a)-[:POSTED]->(t:Tweet)-[r:RETWEETED|QUOTED]->(o:Tweet)<-[:POSTED]-(b)
RETURN t.post_id AS post_id, CASE type(r) WHEN "RETWEETED" THEN "retweet" ELSE "quote" END AS kind,
       t.created_at AS created_at, o.post_id AS original_id, o.created_at AS original_at, t.ts - o.ts AS delay_s
ORDER BY t.ts ASC
