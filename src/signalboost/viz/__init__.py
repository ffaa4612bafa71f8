"""Pictures of a campaign: Graphistry, an offline WebGL view, the HTML report."""
