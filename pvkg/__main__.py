from pvkg.app.cli import main

main()
