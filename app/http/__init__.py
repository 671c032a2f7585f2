"""HTTP machinery below the routes: the outer edge, admission, the query guard, security
headers, request bodies, representation (negotiation, ETag/304), paging, shared
parameters, the OpenAPI completion, the protocol limits and the response cache."""
