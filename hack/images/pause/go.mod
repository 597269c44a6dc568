module kraftwerk.dev/pause

go 1.24
