from paperlab.cli import main

raise SystemExit(main())
