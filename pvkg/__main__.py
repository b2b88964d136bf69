from pvkg.cli import main

main()
